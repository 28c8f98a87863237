"""Word lists for a fictional council's demo data. Nothing here is a real person or place."""

FIRST_NAMES = (
    "Aaliyah Abdul Ada Adam Adebayo Agnieszka Ahmed Aisha Alan Alex Alfie Alice Amara Amina Amir "
    "Amy Andrea Andrew Angela Anna Anthony Archie Ava Ayesha Barbara Bartosz Ben Beth Bilal "
    "Bogdan Bronwen Callum Carl Carmen Caroline Catherine Charlie Chen Chidi Chloe Chris Claire "
    "Connor Craig Daniel Danielle David Dawn Deborah Declan Dev Diana Dylan Eilidh Elena Eleanor "
    "Elif Ella Emeka Emily Emma Ewa Faisal Farah Fatima Femi Fiona Florin Frances Gareth Gemma "
    "George Grace Hannah Harry Hassan Hayley Helen Ibrahim Imran Isabel Isla Jack Jade James "
    "Jamal Jane Jasmine Jason Jay Jayden Jennifer Jessica Joanne John Jordan Joseph Joshua Julie "
    "Kamala Karen Kasia Katie Kayode Keith Kelly Kerry Kevin Kiran Kwame Laura Lauren Leah Lee "
    "Leon Liam Lily Linda Lisa Louise Lucy Luke Maria Mariam Mark Marta Martin Mary Mateusz "
    "Matthew Megan Mei Michael Michelle Mohammed Molly Nadia Naomi Natalie Neil Nicola Noah Nuala "
    "Oliver Olivia Omar Oscar Owen Patricia Paul Pauline Peter Priya Rachel Rahul Raj Rebecca Rhys "
    "Richard Rita Robert Roxana Ruby Ryan Sadia Sam Samuel Sandra Sarah Scott Sean Shanice Sharon "
    "Simon Sofia Sophie Stacey Stephen Stuart Susan Tariq Thomas Tina Tom Tomasz Tracey Tunde "
    "Valentina Victoria Wayne William Yasmin Yusuf Zainab Zara Zofia"
).split()

LAST_NAMES = (
    "Abara Adams Ahmed Akhtar Ali Allen Anderson Appiah Atkinson Bailey Baker Banda Barker Begum "
    "Bell Bennett Bibi Brown Burke Butler Campbell Carter Chen Clarke Collins Cook Cooper Cox "
    "Davies Dhillon Dixon Doherty Duffy Edwards Ellis Evans Fernandes Fisher Foster Gallagher "
    "Ghosh Gill Gordon Graham Grant Green Griffiths Hall Harris Harrison Hassan Hill Hughes "
    "Hussain Iqbal Jackson James Jenkins Johnson Jones Kaur Kelly Khan King Kowalski Kumar Lee "
    "Lewis Lloyd Lopes Marsh Martin Mason Matthews Mensah Miah Mitchell Moore Morgan Morris Murphy "
    "Murray Nowak Nwosu Obi Okafor Okonkwo O'Brien O'Neill Osei Owen Palmer Parker Patel Pearson "
    "Phillips Popescu Powell Price Quinn Rahman Reid Richards Roberts Robinson Rogers Rose Ryan "
    "Saunders Scott Shah Sharma Shaw Simpson Singh Smith Stewart Taylor Thomas Thompson Turner "
    "Uddin Walker Walsh Ward Watson White Wilkinson Williams Wilson Wood Wright Wu Young Zielinski"
).split()

STREETS = (
    "Abbey Road|Acorn Close|Albion Street|Alder Way|Ash Grove|Badger Lane|Beech Court|Bell Street|"
    "Birch Avenue|Blackthorn Road|Bramble Walk|Brook Street|Canal Side|Castle Street|Cedar House|"
    "Chapel Lane|Cherry Tree Court|Church Road|Clarence Street|Clover Rise|Coronation Road|"
    "Dale View|Elm Tree Walk|Fern House|Field Lane|Foundry Street|Garden Court|Gas Street|"
    "Greenway|Hawthorn Road|Hazel Close|Heron Court|High Street|Hillside|Holly Walk|Ivy House|"
    "Jubilee Way|Juniper Court|Kestrel Road|King Street|Lark Rise|Laurel Avenue|Lime Street|"
    "Linden House|Mallard Way|Maple Court|Market Street|Meadow Road|Mill Lane|Moor View|"
    "Nelson Street|Newbridge Road|Oak Tree Court|Orchard Way|Park Road|Pear Tree Close|"
    "Pinewood House|Primrose Lane|Priory Walk|Queen Street|Railway Terrace|Riverside|Rowan Court|"
    "School Lane|Seymour House|Silver Street|Spring Gardens|Station Road|Swan Court|Sycamore Road|"
    "Thistle Way|Tower Street|Union Street|Victoria Road|Weavers Court|Wellington Street|"
    "Willow House|Windmill Hill|Wren Close|Yew Tree Court"
).split("|")

AREAS = (
    "Northfield Southgate Eastbrook Westmoor Castleton Millbank Riverside Hillcrest Oakwood "
    "Ashby Greenhill Kingsmead Stonebridge Fairview Brookside Newtown Parkside Marshfield "
    "Whitecross Abbeyfield"
).split()

TOWN = "Eastbrook"
